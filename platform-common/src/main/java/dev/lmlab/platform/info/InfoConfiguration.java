package dev.lmlab.platform.info;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Registers {@code GET /info} without exposing its controller class. */
@Configuration(proxyBeanMethods = false)
@Import(ServiceInfoController.class)
public class InfoConfiguration {}
