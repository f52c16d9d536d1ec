// Printed fixes as a user pastes them: a miauth command line split as a POSIX shell splits it, and what
// counts as a placeholder the user would have to fill in.

/** Words of a command line: whitespace-separated, with '…' and "…" quoting (no escapes inside '…'). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? "";
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && /["\\$`]/.test(line[i + 1] ?? "")) word += line[++i] ?? "";
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= "";
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (/[|&;<>()$`]/.test(c)) {
      throw new Error(`not a plain command line (shell syntax '${c}'): ${line}`);
    } else {
      word = (word ?? "") + c;
    }
  }
  if (quote) throw new Error(`unterminated quote: ${line}`);
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * A placeholder in a printed fix: `<…>`, an ellipsis, or a flag followed by a capitalised stand-in
 * (`--container NAME`, `-g GROUP`, `--user-assigned ID`).
 */
export const PLACEHOLDER = /<[^<>\s]*>|…|\.\.\.|(?:^|\s)--?[a-z][\w-]* [A-Z][A-Z_]*(?=[\s,.;)]|$)/;

/** The `miauth …` commands in a text, one per match, up to the end of the line or a closing parenthesis/comma. */
export function miauthCommands(text: string): string[] {
  return [...text.matchAll(/\bmiauth ((?:[^\n,()"]|"[^"\n]*")+)/g)].map((m) => `miauth ${m[1]?.trim()}`);
}
