import { describe, expect, it } from "vitest";
import { addClause, applyCompletion, completionContext, filterClause, quoteValue } from "./querytext";

describe("the word under the cursor", () => {
  it("is a field name being typed", () => {
    expect(completionContext("level:ERROR ho", 14)).toEqual({ kind: "field", prefix: "ho", start: 12, end: 14 });
  });
  it("is a value after field:", () => {
    expect(completionContext("host:cm", 7)).toEqual({ kind: "value", field: "host", prefix: "cm", start: 5, end: 7 });
  });
  it("skips a leading minus and an opening parenthesis", () => {
    expect(completionContext("(-program:nova", 14)).toEqual(
      { kind: "value", field: "program", prefix: "nova", start: 10, end: 14 });
  });
  it("keeps a quoted value with spaces whole", () => {
    expect(completionContext('logger:"nova comp', 17)).toEqual(
      { kind: "value", field: "logger", prefix: "nova comp", start: 7, end: 17 });
  });
  it("takes the number after a comparison", () => {
    expect(completionContext("http_status:>=50", 16)).toMatchObject({ kind: "value", prefix: "50" });
  });
});

describe("completion", () => {
  it("replaces a value and quotes it when needed", () => {
    const ctx = completionContext("logger:nova", 11);
    expect(applyCompletion("logger:nova", ctx, "nova.compute manager")).toEqual(
      { text: 'logger:"nova.compute manager" ', cursor: 30 });
  });
  it("replaces a field name", () => {
    const ctx = completionContext("ho level:ERROR", 2);
    expect(applyCompletion("ho level:ERROR", ctx, "host:")).toEqual({ text: "host: level:ERROR", cursor: 5 });
  });
});

describe("filters from clicks", () => {
  it("quotes values with specials, operators and signs", () => {
    expect(quoteValue("cmp1")).toBe("cmp1");
    expect(quoteValue("/var/log/nova.log")).toBe('"/var/log/nova.log"');
    expect(quoteValue('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteValue("OR")).toBe('"OR"');
    expect(quoteValue("-1")).toBe('"-1"');
  });
  it("writes include and exclude clauses, and a missing value", () => {
    expect(filterClause("level", "ERROR")).toBe("level:ERROR");
    expect(filterClause("host", "cmp 1", true)).toBe('-host:"cmp 1"');
    expect(filterClause("request_id", "")).toBe("request_id:NO_EXIST");
  });
  it("adds a clause once, and keeps an OR query whole", () => {
    expect(addClause("", "level:ERROR")).toBe("level:ERROR");
    expect(addClause("nova", "level:ERROR")).toBe("nova level:ERROR");
    expect(addClause("nova level:ERROR", "level:ERROR")).toBe("nova level:ERROR");
    expect(addClause("a OR b", "host:x")).toBe("(a OR b) host:x");
  });
});
