package dev.lmlab.eval.grading;

/** One criterion a judge scores: a short name (the key in its verdict), what it means, and its weight. */
public record RubricItem(String name, String description, double weight) {}
