package dev.lmlab.platform.run;

import java.util.List;

/** One page of runs, newest first, with the total that matches the filter. */
public record RunPage(List<Run> items, int page, int size, long total) {}
