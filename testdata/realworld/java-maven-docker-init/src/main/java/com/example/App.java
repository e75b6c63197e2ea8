package com.example;

public final class App {
  public static void main(String[] args) {
    System.out.println(
        "hello from "
            + System.getProperty("user.name")
            + " on java "
            + System.getProperty("java.specification.version"));
  }
}
