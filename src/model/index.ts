export * from './attributes.ts';
export * from './bytes.ts';
export * from './errors.ts';
export * from './span.ts';
