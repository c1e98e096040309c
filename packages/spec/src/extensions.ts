/**
 * The type of a parsed OCI document without the `[key: string]: unknown` index signatures that
 * `z.looseObject` adds. The schemas keep unknown keys at run time (the spec's extensibility rule),
 * but the exported types list only the fields the spec defines, so `satisfies RuntimeSpec` still
 * catches a misspelt field. String maps (`annotations`, `sysctl`, `unified`, `rdma`) keep theirs.
 */
export type WithoutExtensions<T> = T extends readonly (infer Item)[]
  ? WithoutExtensions<Item>[]
  : T extends object
    ? { [Key in keyof T as string extends Key ? (unknown extends T[Key] ? never : Key) : Key]: WithoutExtensions<T[Key]> }
    : T;
