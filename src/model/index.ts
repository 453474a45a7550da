export * from './errors.js';
export * from './events.js';
export * from './lease.js';
export * from './spec.js';
export * from './time.js';
