// Public API of this area, re-exported by name.
export {};
