package dev.lmlab.training.toy;

import dev.lmlab.core.util.Permutations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Two small synthetic knowledge domains about the same invented entities, for the toy TABOM experiment; fully
 * determined by the seed.
 *
 * <ul>
 *   <li>Domain A (pretraining): each entity's colour, {@code "zobika colour:"} → {@code "teal"}, plus word lists
 *       that teach the spelling of every answer word of both domains (a pretrained model knows the words, not the
 *       facts of domain B);
 *   <li>Domain B (post-training): each entity's home town, {@code "zobika home:"} → {@code "oslo"}.
 * </ul>
 *
 * Every answer is four characters, so generation length, trajectories and grading need no end-of-text handling;
 * several answers share a first letter, so which position is "easy" depends on the others.
 */
public final class SyntheticDomains {

    public static final List<String> COLOURS =
            List.of("teal", "ruby", "jade", "gold", "navy", "rose", "sage", "plum", "onyx", "opal", "pine", "snow");
    public static final List<String> PLACES =
            List.of("oslo", "lima", "rome", "baku", "doha", "riga", "bern", "nuuk", "apia", "suva", "kobe", "taza");

    private static final String CONSONANTS = "bdfgklmnprstvz";
    private static final String VOWELS = "aeiou";

    /** A fact: its id, its prompt and the four-character answer. */
    public record Fact(String id, String prompt, String answer) {}

    /**
     * @param domainA colour facts (what pretraining teaches)
     * @param domainB home-town facts (what post-training should add)
     * @param pretrainingText the pretraining corpus: every domain-A fact as text, and word lists
     */
    public record Domains(List<Fact> domainA, List<Fact> domainB, List<String> pretrainingText) {}

    private SyntheticDomains() {}

    public static Domains generate(long seed, int entities) {
        if (entities < 1 || entities > 2000) {
            throw new IllegalArgumentException("entities must be 1..2000, got " + entities);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<String> names = names(random, entities);
        List<Fact> a = new ArrayList<>();
        List<Fact> b = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            a.add(new Fact("a" + i, name + " colour:", COLOURS.get(random.nextInt(COLOURS.size()))));
            b.add(new Fact("b" + i, name + " home:", PLACES.get(random.nextInt(PLACES.size()))));
        }
        List<String> text = new ArrayList<>();
        a.forEach(f -> text.add(f.prompt() + f.answer()));
        // word lists, four words a line (short lines keep pretraining batches dense): each word 4 times
        for (int round = 0; round < 4; round++) {
            List<String> colours = shuffled(COLOURS, random);
            List<String> places = shuffled(PLACES, random);
            for (int i = 0; i < COLOURS.size(); i += 4) {
                text.add("colours: " + String.join(" ", colours.subList(i, i + 4)));
                text.add("places: " + String.join(" ", places.subList(i, i + 4)));
            }
        }
        return new Domains(List.copyOf(a), List.copyOf(b), List.copyOf(text));
    }

    /** How many entities hold each answer: a check that no answer dominates a domain. */
    public static Map<String, Integer> answerCounts(List<Fact> facts) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        facts.forEach(f -> counts.merge(f.answer(), 1, Integer::sum));
        return counts;
    }

    private static List<String> names(SplittableRandom random, int n) {
        Set<String> names = new LinkedHashSet<>();
        while (names.size() < n) {
            StringBuilder name = new StringBuilder();
            int syllables = 2 + random.nextInt(2);
            for (int s = 0; s < syllables; s++) {
                name.append(CONSONANTS.charAt(random.nextInt(CONSONANTS.length())));
                name.append(VOWELS.charAt(random.nextInt(VOWELS.length())));
            }
            names.add(name.toString());
        }
        return List.copyOf(names);
    }

    private static List<String> shuffled(List<String> words, SplittableRandom random) {
        return Arrays.stream(Permutations.of(words.size(), random))
                .mapToObj(words::get)
                .toList();
    }
}
