/** Base of every error Custodian throws on purpose: each has a stable machine-readable `code`. */
export abstract class CustodianError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
