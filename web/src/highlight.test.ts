import { describe, expect, it } from "vitest";
import { highlightSegments } from "./highlight";

const marked = (text: string, ...terms: Parameters<typeof highlightSegments>[1]) =>
  highlightSegments(text, terms).filter((s) => s.hit).map((s) => s.text);

describe("marks in a line", () => {
  it("marks whole words in any case, not parts of words", () => {
    expect(marked("Timeout after timeouts: TIMEOUT", { kind: "word", text: "timeout" })).toEqual(["Timeout", "TIMEOUT"]);
  });
  it("marks a phrase across any spacing", () => {
    expect(marked("No valid  host was found", { kind: "phrase", text: "valid host" })).toEqual(["valid  host"]);
  });
  it("marks the whole word a prefix starts", () => {
    expect(marked("nova-compute and supernova", { kind: "prefix", text: "nova" })).toEqual(["nova"]);
  });
  it("marks wildcards and regexes", () => {
    expect(marked("Timed out waiting", { kind: "wildcard", text: "*imed ou*" })).toEqual(["Timed out"]);
    expect(marked("failed to fail", { kind: "regex", text: "fail(ed)?" })).toEqual(["failed", "fail"]);
  });
  it("merges overlapping marks and keeps the text whole", () => {
    const segments = highlightSegments("connection lost", [{ kind: "word", text: "connection" },
      { kind: "phrase", text: "connection lost" }]);
    expect(segments).toEqual([{ text: "connection lost", hit: true }]);
  });
  it("leaves a line unmarked for a regex JavaScript cannot read", () => {
    expect(highlightSegments("abc", [{ kind: "regex", text: "(?P<x>a)" }])).toEqual([{ text: "abc", hit: false }]);
  });
});
