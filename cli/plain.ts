import { isPlainObject, Values } from "../components/core/values";

/**
 * Reading rendered objects without trusting their shape: a field that is not what the reader
 * expects reads as empty, never as a TypeError (the diff and the topology read any render).
 */

/** The value if it is a plain object, else `{}`. */
export const objectAt = (v: unknown): Values => (isPlainObject(v) ? v : {});

/** The value's entries as objects if it is a list, else `[]`. */
export const objectsAt = (v: unknown): Values[] => (Array.isArray(v) ? v.map(objectAt) : []);

/** The value's entries as strings if it is a list, else `[]`. */
export const stringsAt = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
