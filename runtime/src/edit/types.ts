/** Shared result of the pure editors: the new text, and whether it differs from the input. */
export interface EditResult {
  text: string;
  changed: boolean;
  /** Things the operator should know about the file that the edit left alone on purpose (never a value). */
  warnings?: string[];
}

/** A path into a JSON document: object keys and array indexes. */
export type JsonPath = readonly (string | number)[];

/** Set `path` to `value`; `value: undefined` removes the key. */
export interface JsonEdit {
  path: JsonPath;
  value: unknown;
}
