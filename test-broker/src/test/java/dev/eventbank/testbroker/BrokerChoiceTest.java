package dev.eventbank.testbroker;

import org.junit.jupiter.api.Test;

import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fixture's choice of broker, with Docker's answer given: this machine has no Docker engine, so the container
 * path is judged here by what it would start, never by starting it.
 */
class BrokerChoiceTest {

    private static final BooleanSupplier DOCKER = () -> true;
    private static final BooleanSupplier NO_DOCKER = () -> false;
    private static final BooleanSupplier NOT_TO_BE_ASKED = () -> fail("a forced choice must not ask Docker");

    @Test
    void shouldRunTheContainerWhenAutoAndADockerEngineAnswers() {
        assertEquals(new BrokerChoice(BrokerChoice.Kind.CONTAINER, "a Docker engine answered"),
                BrokerChoice.decide("auto", DOCKER));
    }

    @Test
    void shouldRunTheJarsWhenAutoAndNoDockerEngineAnswers() {
        assertEquals(new BrokerChoice(BrokerChoice.Kind.JARS, "no Docker engine answered"),
                BrokerChoice.decide("auto", NO_DOCKER));
    }

    @Test
    void shouldDecideAsAutoWhenThePropertyIsUnsetOrBlank() {
        assertEquals(BrokerChoice.Kind.CONTAINER, BrokerChoice.decide(null, DOCKER).kind());
        assertEquals(BrokerChoice.Kind.JARS, BrokerChoice.decide(null, NO_DOCKER).kind());
        assertEquals(BrokerChoice.Kind.JARS, BrokerChoice.decide(" ", NO_DOCKER).kind());
    }

    @Test
    void shouldRunTheContainerWhenForcedWithoutFallingBackToTheJars() {
        assertEquals(new BrokerChoice(BrokerChoice.Kind.CONTAINER, "forced by -Deventbank.test.broker=container"),
                BrokerChoice.decide("container", NOT_TO_BE_ASKED));
        assertEquals(BrokerChoice.Kind.CONTAINER, BrokerChoice.decide(" Container ", NOT_TO_BE_ASKED).kind());
    }

    @Test
    void shouldRunTheJarsWhenForcedEvenIfADockerEngineWouldAnswer() {
        assertEquals(new BrokerChoice(BrokerChoice.Kind.JARS, "forced by -Deventbank.test.broker=jars"),
                BrokerChoice.decide("jars", NOT_TO_BE_ASKED));
    }

    @Test
    void shouldRefuseAnUnknownValueNamingTheKnownOnes() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> BrokerChoice.decide("docker", DOCKER));
        assertEquals("eventbank.test.broker must be auto, container or jars, got \"docker\"", error.getMessage());
    }
}
