package dev.lmlab.eval.grading;

import dev.lmlab.eval.target.Target;
import dev.lmlab.eval.target.TargetSpec;
import dev.lmlab.eval.target.Targets;
import dev.lmlab.platform.web.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds graders from their JSON specs ({@code {"type": "exact"}}, {@code {"type": "judge", "target": ..., "rubric":
 * [...]}}, ...), refusing a bad spec with a 400 that names the field. Judge targets are checked here (allow-list,
 * key reference) and opened on first use.
 */
@Component
public class Graders {

    public static final List<String> TYPES =
            List.of("exact", "normalized", "prefix", "regex", "numeric", "multiple_choice", "judge", "composite");

    private final Targets targets;
    private final JsonMapper json;

    public Graders(Targets targets, JsonMapper json) {
        this.targets = targets;
        this.json = json;
    }

    /** @param field where the spec sits in the request ({@code grader}, {@code spec.grader}) */
    public Grader parse(JsonNode spec, String field) {
        return parse(spec, field, t -> {});
    }

    /** Also hands every judge target to {@code judges}, so a submission can check that each is reachable. */
    public Grader parse(JsonNode spec, String field, Consumer<TargetSpec> judges) {
        if (spec == null || !spec.isObject()) {
            throw invalid(field, field + " must be an object such as {\"type\": \"exact\"}; types are " + TYPES);
        }
        String type = spec.path("type").asString("");
        String answerField = spec.path("answer_field").asString("answer");
        return switch (type) {
            case "exact", "normalized", "prefix" -> {
                allowOnly(spec, field, "type", "answer_field");
                yield new MatchGrader(AnswerMatch.valueOf(type.toUpperCase(Locale.ROOT)), answerField);
            }
            case "regex" -> {
                allowOnly(spec, field, "type", "answer_field", "pattern", "negate", "extract");
                Pattern pattern;
                try {
                    pattern = Pattern.compile(required(spec, field, "pattern"));
                } catch (PatternSyntaxException e) {
                    throw invalid(
                            field + ".pattern",
                            field + ".pattern is not a valid regular expression: " + e.getDescription() + " at index "
                                    + e.getIndex());
                }
                boolean extract = spec.path("extract").asBoolean(false);
                boolean negate = spec.path("negate").asBoolean(false);
                if (extract && negate) {
                    throw invalid(field, field + ": negate applies to searching, not to extracting an answer");
                }
                yield new RegexGrader(pattern, negate, extract, answerField);
            }
            case "numeric" -> {
                allowOnly(spec, field, "type", "answer_field", "tolerance", "relative", "pick");
                double tolerance = spec.path("tolerance").asDouble(1e-6);
                String pick = spec.path("pick").asString("last");
                if (!(tolerance >= 0) || !Set.of("first", "last").contains(pick)) {
                    throw invalid(field, field + ": tolerance is >= 0 and pick is 'first' or 'last'");
                }
                yield new NumericGrader(
                        tolerance, spec.path("relative").asBoolean(false), pick.equals("last"), answerField);
            }
            case "multiple_choice" -> {
                allowOnly(spec, field, "type", "answer_field", "choices_field");
                yield new MultipleChoiceGrader(spec.path("choices_field").asString("choices"), answerField);
            }
            case "judge" -> judge(spec, field, answerField, judges);
            case "composite" -> composite(spec, field, judges);
            default -> throw invalid(field + ".type", field + ".type is one of " + TYPES + ", not '" + type + "'");
        };
    }

    private Grader judge(JsonNode spec, String field, String answerField, Consumer<TargetSpec> judges) {
        allowOnly(
                spec,
                field,
                "type",
                "answer_field",
                "target",
                "rubric",
                "scale",
                "pass_threshold",
                "instructions",
                "max_tokens");
        TargetSpec target;
        try {
            target = json.treeToValue(spec.path("target"), TargetSpec.class);
        } catch (RuntimeException e) {
            throw invalid(field + ".target", field + ".target must be a target object: {\"model\": ...}");
        }
        targets.check(target, field + ".target");
        judges.accept(target);
        JsonNode rubricSpec = spec.path("rubric");
        if (!rubricSpec.isArray() || rubricSpec.isEmpty() || rubricSpec.size() > 50) {
            throw invalid(field + ".rubric", field + ".rubric is a list of 1 to 50 {name, description, weight} items");
        }
        List<RubricItem> rubric = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (int i = 0; i < rubricSpec.size(); i++) {
            JsonNode r = rubricSpec.get(i);
            String at = field + ".rubric[" + i + "]";
            String name = r.path("name").asString("");
            if (!name.matches("[A-Za-z][A-Za-z0-9_]{0,63}") || !names.add(name)) {
                throw invalid(at + ".name", at + ".name must be a unique identifier (letters, digits, _)");
            }
            double weight = r.path("weight").asDouble(1.0);
            if (!(weight > 0)) {
                throw invalid(at + ".weight", at + ".weight must be positive");
            }
            rubric.add(new RubricItem(name, r.path("description").asString(name), weight));
        }
        int min = 0;
        int max = 1;
        if (spec.has("scale")) {
            JsonNode scale = spec.get("scale");
            if (!scale.isArray()
                    || scale.size() != 2
                    || !scale.get(0).isInt()
                    || !scale.get(1).isInt()
                    || scale.get(0).asInt() >= scale.get(1).asInt()) {
                throw invalid(field + ".scale", field + ".scale is [min, max], two integers with min < max");
            }
            min = scale.get(0).asInt();
            max = scale.get(1).asInt();
        }
        double threshold = spec.path("pass_threshold").asDouble(0.5);
        int maxTokens = spec.path("max_tokens").asInt(256);
        if (threshold < 0 || threshold > 1 || maxTokens < 1 || maxTokens > 4096) {
            throw invalid(field, field + ": pass_threshold is in [0, 1] and max_tokens in 1..4096");
        }
        Supplier<Target> judge = memoized(() -> targets.open(target));
        return new JudgeGrader(
                judge,
                rubric,
                min,
                max,
                threshold,
                spec.path("instructions").asString(null),
                answerField,
                maxTokens,
                json);
    }

    private Grader composite(JsonNode spec, String field, Consumer<TargetSpec> judges) {
        allowOnly(spec, field, "type", "graders", "pass_threshold");
        JsonNode parts = spec.path("graders");
        if (!parts.isArray() || parts.isEmpty() || parts.size() > 20) {
            throw invalid(field + ".graders", field + ".graders is a list of 1 to 20 {weight, grader} entries");
        }
        List<CompositeGrader.Part> built = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            String at = field + ".graders[" + i + "]";
            double weight = parts.get(i).path("weight").asDouble(1.0);
            if (!(weight > 0)) {
                throw invalid(at + ".weight", at + ".weight must be positive");
            }
            built.add(new CompositeGrader.Part(weight, parse(parts.get(i).path("grader"), at + ".grader", judges)));
        }
        double threshold = spec.path("pass_threshold").asDouble(1.0);
        if (threshold < 0 || threshold > 1) {
            throw invalid(field + ".pass_threshold", field + ".pass_threshold is in [0, 1]");
        }
        return new CompositeGrader(built, threshold);
    }

    private static void allowOnly(JsonNode spec, String field, String... known) {
        Set<String> allowed = Set.of(known);
        for (String name : spec.propertyNames()) {
            if (!allowed.contains(name)) {
                throw invalid(
                        field + "." + name,
                        "unknown field '" + name + "' in " + field + " of type '"
                                + spec.path("type").asString() + "'; its fields are " + new TreeSet<>(allowed));
            }
        }
    }

    private static String required(JsonNode spec, String field, String name) {
        JsonNode v = spec.get(name);
        if (v == null || !v.isString() || v.asString().isEmpty()) {
            throw invalid(field + "." + name, field + "." + name + " is required");
        }
        return v.asString();
    }

    private static ApiException invalid(String field, String detail) {
        return ApiException.badRequest("invalid-grader", detail).with("field", field);
    }

    private static <T> Supplier<T> memoized(Supplier<T> source) {
        return new Supplier<>() {
            private volatile T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = source.get();
                }
                return value;
            }
        };
    }
}
