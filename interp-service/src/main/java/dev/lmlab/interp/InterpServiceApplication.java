package dev.lmlab.interp;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The interp service: directions, steering vectors, persona algebra, sparse autoencoders. Reached through the
 * gateway at {@code /api/interp}.
 */
@SpringBootApplication
public class InterpServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(InterpServiceApplication.class, args);
    }
}
