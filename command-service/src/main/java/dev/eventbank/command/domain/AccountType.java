package dev.eventbank.command.domain;

/**
 * The kind of an account. Every account opened before account types existed (AccountOpened version 1) is a
 * CHECKING account; the event upcaster says so on the wire side.
 */
public enum AccountType {
    CHECKING,
    SAVINGS
}
