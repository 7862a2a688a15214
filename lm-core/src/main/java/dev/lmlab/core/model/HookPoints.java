package dev.lmlab.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hook points of every model, named as TransformerLens names them. These names are a public contract: they
 * travel in REST requests, are stored with activation sets and steering vectors, and mean the same tensor in
 * every architecture. Every hook point carries the residual-stream width: shape {@code [B, T, D]}.
 *
 * <ul>
 *   <li>{@code hook_embed}: token embeddings, the input of block 0.
 *   <li>{@code blocks.{L}.hook_resid_pre}: the residual stream entering block L (equals {@code resid_post} of
 *       L-1, and {@code hook_embed} for L = 0).
 *   <li>{@code blocks.{L}.hook_attn_out}: the attention output added to the stream (after the output projection).
 *   <li>{@code blocks.{L}.hook_resid_mid}: the stream after attention, before the MLP.
 *   <li>{@code blocks.{L}.hook_mlp_out}: the MLP output added to the stream.
 *   <li>{@code blocks.{L}.hook_resid_post}: the stream leaving block L.
 *   <li>{@code ln_final.hook_normalized}: after the final norm, the input of the unembedding.
 * </ul>
 */
public final class HookPoints {

    public static final String HOOK_EMBED = "hook_embed";
    public static final String LN_FINAL = "ln_final.hook_normalized";

    public static final String RESID_PRE = "hook_resid_pre";
    public static final String ATTN_OUT = "hook_attn_out";
    public static final String RESID_MID = "hook_resid_mid";
    public static final String MLP_OUT = "hook_mlp_out";
    public static final String RESID_POST = "hook_resid_post";

    /** The per-block hooks, in the order the forward pass reaches them. */
    public static final List<String> BLOCK_HOOKS = List.of(RESID_PRE, ATTN_OUT, RESID_MID, MLP_OUT, RESID_POST);

    private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\.(hook_[a-z_]+)");

    private HookPoints() {}

    public static String block(int layer, String hook) {
        return "blocks." + layer + "." + hook;
    }

    public static String residPre(int layer) {
        return block(layer, RESID_PRE);
    }

    public static String residPost(int layer) {
        return block(layer, RESID_POST);
    }

    /** Every hook point of a model with {@code layers} blocks, in forward order. */
    public static List<String> all(int layers) {
        List<String> names = new ArrayList<>();
        names.add(HOOK_EMBED);
        for (int l = 0; l < layers; l++) {
            for (String h : BLOCK_HOOKS) {
                names.add(block(l, h));
            }
        }
        names.add(LN_FINAL);
        return names;
    }

    /** Whether {@code name} is a hook point of a model with {@code layers} blocks. */
    public static boolean valid(String name, int layers) {
        if (HOOK_EMBED.equals(name) || LN_FINAL.equals(name)) {
            return true;
        }
        Matcher m = BLOCK.matcher(name == null ? "" : name);
        return m.matches() && Integer.parseInt(m.group(1)) < layers && BLOCK_HOOKS.contains(m.group(2));
    }

    /** The block a hook belongs to, or -1 for {@code hook_embed} and {@code ln_final}. */
    public static int layerOf(String name) {
        Matcher m = BLOCK.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }
}
