package dev.lmlab.core.tokenizer;

import java.util.Map;

/**
 * The special tokens a tokenizer declares, as text and id; any may be absent (null).
 *
 * @param eosIds every id that ends a generation (a chat model may have several)
 */
public record SpecialTokens(
        String bos,
        Long bosId,
        String eos,
        Long eosId,
        String pad,
        Long padId,
        String mask,
        Long maskId,
        String unk,
        Long unkId,
        java.util.Set<Long> eosIds,
        Map<String, Long> all) {

    /** The special-token strings as chat templates see them. */
    public Map<String, Object> templateBindings() {
        Map<String, Object> m = new java.util.HashMap<>();
        put(m, "bos_token", bos);
        put(m, "eos_token", eos);
        put(m, "pad_token", pad);
        put(m, "unk_token", unk);
        put(m, "mask_token", mask);
        return m;
    }

    private static void put(Map<String, Object> m, String key, String value) {
        m.put(key, value == null ? "" : value);
    }
}
