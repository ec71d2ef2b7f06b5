/** The unknown-token symbol: every token not in the vocabulary is scored as this one. */
export const UNK = "<unk>";
/** The sentence-start symbol: a context only, never predicted. */
export const BOS = "<s>";
/** The sentence-end symbol: predicted after the last token of every sentence. */
export const EOS = "</s>";

/** Fixed ids of the three special symbols, the same in every vocabulary. */
export const UNK_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;

/**
 * A bidirectional token ↔ id map. One Map entry per token *type* is fine (a vocabulary is
 * small next to the n-gram tables, which are keyed by these ids instead of by strings).
 */
export class Vocabulary {
  private readonly ids = new Map<string, number>();
  private readonly tokens: string[] = [];

  constructor() {
    this.add(UNK);
    this.add(BOS);
    this.add(EOS);
  }

  /** Number of token types, the three special symbols included. */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of `token`, adding it if it is new. */
  add(token: string): number {
    const known = this.ids.get(token);
    if (known !== undefined) return known;
    const id = this.tokens.length;
    this.ids.set(token, id);
    this.tokens.push(token);
    return id;
  }

  /** The id of `token`, or the `<unk>` id when it is not in the vocabulary. */
  idOf(token: string): number {
    return this.ids.get(token) ?? UNK_ID;
  }

  /** Whether `token` is in the vocabulary. */
  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** The token with id `id`. */
  tokenOf(id: number): string {
    const token = this.tokens[id];
    if (token === undefined) throw new RangeError(`no token with id ${id} (vocabulary size ${this.size})`);
    return token;
  }

  /** All tokens, indexed by id. */
  list(): readonly string[] {
    return this.tokens;
  }
}
