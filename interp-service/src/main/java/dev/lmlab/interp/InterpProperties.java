package dev.lmlab.interp;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param artifactsRoot activation sets, analyses and experiment outputs live inside this folder ({@code
 *     <home>/artifacts} when blank); the folder the other services use, so the inference service reads vectors and
 *     SAEs from it too
 * @param maxSetRows the most labelled inputs one activation set may hold
 * @param captureBatch inputs per {@code /v1/activations} call while capturing (one safetensors shard each)
 * @param maxCoefficients the most coefficients one steering sweep may try
 * @param maxPrompts the most prompts one steering experiment may use
 */
@Validated
@ConfigurationProperties("lmlab.interp")
public record InterpProperties(
        String artifactsRoot,
        @Min(1) @Max(10_000_000) @DefaultValue("200000") int maxSetRows,
        @Min(1) @Max(1024) @DefaultValue("32") int captureBatch,
        @Min(1) @Max(1000) @DefaultValue("21") int maxCoefficients,
        @Min(1) @Max(100_000) @DefaultValue("500") int maxPrompts) {}
