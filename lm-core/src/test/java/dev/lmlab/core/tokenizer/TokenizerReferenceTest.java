package dev.lmlab.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Tokenization and chat templates against what the real transformers tokenizer produced for the fixtures. */
class TokenizerReferenceTest {

    static Path folder(String name) throws Exception {
        return Path.of(
                TokenizerReferenceTest.class.getResource("/fixtures/" + name).toURI());
    }

    static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    @Test
    void encodingAndDecodingMatchTheReferenceTokenizer() throws Exception {
        Path folder = folder("llama-tiny");
        JsonNode reference = JsonMapper.shared().readTree(Files.readString(folder.resolve("reference.json")));
        try (TextTokenizer tokenizer = TextTokenizer.open(folder, List.of())) {
            for (JsonNode c : reference.get("encode_cases")) {
                String text = c.get("text").asString();
                long[] plain = tokenizer.encode(text);
                long[] withSpecials = tokenizer.encode(text, true);

                assertThat(plain).as(text).containsExactly(longs(c.get("ids_add_special_tokens_false")));
                assertThat(withSpecials).as(text).containsExactly(longs(c.get("ids_add_special_tokens_true")));
                assertThat(tokenizer.decode(withSpecials, true))
                        .isEqualTo(c.get("decoded_skip_special_tokens").asString());
                assertThat(tokenizer.decode(withSpecials, false))
                        .isEqualTo(c.get("decoded").asString());
            }
            SpecialTokens s = tokenizer.specials();
            assertThat(s.bosId()).isEqualTo(1L);
            assertThat(s.eosId()).isEqualTo(2L);
            assertThat(s.padId()).isEqualTo(0L);
            assertThat(s.maskId()).isEqualTo(3L);
            assertThat(tokenizer.isSpecial(4)).isTrue();
            assertThat(tokenizer.isSpecial(47)).isFalse();
        }
    }

    @Test
    void chatTemplatesRenderAsTransformersRendersThem() throws Exception {
        for (String name : new String[] {"llama-tiny", "qwen3-tiny", "llada-tiny"}) {
            Path folder = folder(name);
            JsonNode reference = JsonMapper.shared().readTree(Files.readString(folder.resolve("reference.json")));
            try (TextTokenizer tokenizer = TextTokenizer.open(folder, List.of())) {
                for (JsonNode c : reference.get("chat_template_cases")) {
                    List<ChatMessage> messages = new ArrayList<>();
                    c.get("messages")
                            .forEach(m -> messages.add(new ChatMessage(
                                    m.get("role").asString(), m.get("content").asString())));
                    String rendered = tokenizer.applyChatTemplate(
                            messages, c.get("add_generation_prompt").asBoolean());

                    assertThat(rendered)
                            .as(name + " " + c.get("name"))
                            .isEqualTo(c.get("rendered").asString());
                    assertThat(tokenizer.encode(rendered)).containsExactly(longs(c.get("rendered_ids")));
                }
            }
        }
    }

    @Test
    void realWorldTemplateFeaturesWork() {
        // loop variables, conditionals, filters and raise_exception as chat templates use them; trim_blocks drops
        // the newline right after a block tag, as it does in transformers
        String source = "{% for m in messages %}{% if m.role == 'user' and loop.index0 % 2 == 1 %}"
                + "{{ raise_exception('roles must alternate') }}{% endif %}"
                + "{{ '<|' + m.role + '|>' }}{{ m.content | trim }}{% if not loop.last %}\n{% endif %}{% endfor %}"
                + "{% if add_generation_prompt %}{{ eos_token }}{% endif %}";
        ChatTemplate template = new ChatTemplate(source, java.util.Map.of("eos_token", "</s>"));

        assertThat(template.render(List.of(ChatMessage.user(" hi "), ChatMessage.assistant("yo")), true))
                .isEqualTo("<|user|>hi<|assistant|>yo</s>");

        assertThatThrownBy(() -> template.render(List.of(ChatMessage.assistant("a"), ChatMessage.user("b")), false))
                .isInstanceOf(ChatTemplate.ChatTemplateException.class)
                .hasMessageContaining("roles must alternate");
    }
}
