// A value the composition root (src/main.ts) can only supply after the objects that use it are
// built. Two things force that, and only these should use it: the WeChat client, whose sandbox
// address is the server's own port (known once it listens), and the two ends of a dependency cycle
// (the outbox reads requests while a saved request rings the outbox; subscriptions ask who a person
// is while a new identity link merges subscriptions). Everything else is passed when it is built.

export class Late<T> {
  #value: T | undefined;
  #bound = false;

  /** `what` names the value in the error a read before binding throws. */
  constructor(readonly what: string) {}

  bind(value: T): T {
    if (this.#bound) throw new Error(`${this.what} is bound twice`);
    this.#value = value;
    this.#bound = true;
    return value;
  }

  /** The value; reading it before it is bound is a wiring bug, and says which. */
  get(): T {
    if (!this.#bound) throw new Error(`${this.what} is used before it exists (src/main.ts binds it later)`);
    return this.#value as T;
  }

  /** The value, or undefined before it is bound: for calls that may safely come early and be dropped. */
  peek(): T | undefined {
    return this.#value;
  }
}
