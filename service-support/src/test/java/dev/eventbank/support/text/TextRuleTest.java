package dev.eventbank.support.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one text rule: what it refuses, what it keeps, and lengths in code points. */
class TextRuleTest {

    @Test
    void shouldRefuseControlCharactersSeparatorsBidiControlsLoneSurrogatesAndNoncharacters() {
        for (String text : List.of("a\u0000b", "\u001b[31mred", "two\nlines", "tab\there", "c\rr", "del\u007f",
                "c1\u0085", "x\u2028y", "x\u2029y", "abc\u202eevil", "\u2066isolate", "lone \ud800", "\udc00 low",
                "\ufdd0", "\ufffe", "\uffff", new String(Character.toChars(0x1FFFE)))) {
            TextRule.InvalidText refused = assertThrows(TextRule.InvalidText.class,
                    () -> TextRule.check("owner", text, 200), text);
            assertTrue(refused.getMessage().startsWith("owner must not contain"), refused.getMessage());
        }
    }

    @Test
    void shouldRefuseTextWithNoVisibleCharacter() {
        for (String text : List.of("", "   ", "\u200b", "\u200b\u200c\u200d\ufeff", "\u00a0\u3000", "\u0301",
                "\u3164", "\u115f\u1160", "\u00ad", "\u2800")) {
            TextRule.InvalidText refused = assertThrows(TextRule.InvalidText.class,
                    () -> TextRule.check("reason", text, 200), text);
            assertTrue(refused.getMessage().startsWith("reason must not be blank"), refused.getMessage());
        }
    }

    @Test
    void shouldKeepAnyScriptEmojiPunctuationAndInnerSpacesStripped() {
        assertEquals("Zoë 李 O'Brien-Smith \uD83D\uDC69\u200D\uD83D\uDCBB",
                TextRule.check("owner", "  Zoë 李 O'Brien-Smith \uD83D\uDC69\u200D\uD83D\uDCBB \u3000", 200));
        // a code point this JVM's Unicode does not assign yet is allowed, and is not "blank"
        assertEquals("\u0378", TextRule.check("owner", "\u0378", 200));
        // not normalized: a decomposed é stays two code points
        assertEquals("e\u0301", TextRule.check("owner", "e\u0301", 2));
    }

    @Test
    void shouldCountCodePointsNotUtf16Units() {
        String emoji = "\uD83D\uDCB6";
        assertEquals(emoji.repeat(140), TextRule.check("reference", emoji.repeat(140), 140));
        TextRule.InvalidText tooLong = assertThrows(TextRule.InvalidText.class,
                () -> TextRule.check("reference", emoji.repeat(141), 140));
        assertEquals("reference must be at most 140 characters, got 141", tooLong.getMessage());
        assertEquals(3, TextRule.length("a" + emoji + "b"));
    }

    @Test
    void shouldQuoteWithoutSplittingAPairOrCarryingControlCharacters() {
        String emoji = "\uD83D\uDCB6";
        assertEquals(emoji.repeat(2) + "...", TextRule.quote(emoji.repeat(3), 2));
        assertEquals("a<U+001B>b", TextRule.quote("a\u001bb", 10));
        // NUL then "5": not "U+00005", which would read as one code point
        assertEquals("<U+0000>5", TextRule.quote("\u00005", 10));
    }

    @Test
    void shouldRefuseAParametersControlCharactersAtItsEndsAndStripItsWhiteSpace() {
        assertThrows(TextRule.InvalidText.class, () -> TextRule.checkParameter("owner", "\tAda", 200));
        assertThrows(TextRule.InvalidText.class, () -> TextRule.checkParameter("owner", "Ada\n", 200));
        assertEquals("Zen Owner", TextRule.checkParameter("owner", "\u3000Zen Owner\u2003", 200));
        // the length is the stripped text's
        assertEquals("a".repeat(200), TextRule.checkParameter("owner", " " + "a".repeat(200) + " ", 200));
    }
}
