// The console's two languages. Every string the console shows has a key in locales/en.ts; the
// Chinese table must have the same keys (the type checker refuses a missing one), so switching
// language changes every label.

import { signal } from "@preact/signals";
import { en, type MessageKey } from "./locales/en";
import { zh } from "./locales/zh";

export type Language = "en" | "zh";
export const LANGUAGES: Record<Language, { name: string; table: Record<MessageKey, string>; tag: string }> = {
  en: { name: "English", table: en, tag: "en" },
  zh: { name: "简体中文", table: zh, tag: "zh-CN" },
};

const STORAGE_KEY = "venus.language";

function initialLanguage(): Language {
  const stored = typeof localStorage !== "undefined" ? localStorage.getItem(STORAGE_KEY) : null;
  if (stored === "en" || stored === "zh") return stored;
  return typeof navigator !== "undefined" && navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

export const language = signal<Language>(initialLanguage());

export function setLanguage(next: Language): void {
  language.value = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = LANGUAGES[next].tag;
}

/** The text of a key in the current language, with {name} placeholders filled. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text = LANGUAGES[language.value].table[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** A number as the current language writes it (1,234,567). */
export function formatNumber(value: number): string {
  return value.toLocaleString(LANGUAGES[language.value].tag);
}
