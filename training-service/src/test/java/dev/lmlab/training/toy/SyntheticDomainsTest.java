package dev.lmlab.training.toy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticDomainsTest {

    @Test
    void theSameSeedGivesTheSameDomainsAndAnotherSeedOthers() {
        SyntheticDomains.Domains a = SyntheticDomains.generate(3, 32);

        assertThat(SyntheticDomains.generate(3, 32)).isEqualTo(a);
        assertThat(SyntheticDomains.generate(4, 32).domainB()).isNotEqualTo(a.domainB());
    }

    @Test
    void bothDomainsCoverTheSameEntitiesWithFourCharacterAnswersFromTheirOwnWords() {
        SyntheticDomains.Domains d = SyntheticDomains.generate(0, 40);

        assertThat(d.domainA()).hasSize(40);
        assertThat(d.domainB()).hasSize(40);
        for (int i = 0; i < 40; i++) {
            String entityA = d.domainA().get(i).prompt().replace(" colour:", "");
            String entityB = d.domainB().get(i).prompt().replace(" home:", "");
            assertThat(entityA).isEqualTo(entityB);
            assertThat(SyntheticDomains.COLOURS).contains(d.domainA().get(i).answer());
            assertThat(SyntheticDomains.PLACES).contains(d.domainB().get(i).answer());
        }
        assertThat(new HashSet<>(
                        d.domainA().stream().map(SyntheticDomains.Fact::prompt).toList()))
                .as("entity names are distinct")
                .hasSize(40);
        assertThat(SyntheticDomains.COLOURS).allMatch(w -> w.length() == 4);
        assertThat(SyntheticDomains.PLACES).allMatch(w -> w.length() == 4);
        // no answer dominates a domain: at 40 facts over 12 words none should take a third
        assertThat(SyntheticDomains.answerCounts(d.domainB()).values()).allMatch(c -> c < 14);
    }

    @Test
    void pretrainingTextHoldsEveryDomainAFactAndSpellsEveryAnswerWordButNoDomainBFact() {
        SyntheticDomains.Domains d = SyntheticDomains.generate(1, 24);
        List<String> text = d.pretrainingText();

        d.domainA().forEach(f -> assertThat(text).contains(f.prompt() + f.answer()));
        String all = String.join("\n", text);
        SyntheticDomains.PLACES.forEach(p -> assertThat(all).contains(p));
        d.domainB().forEach(f -> assertThat(all).doesNotContain(f.prompt()));
    }
}
