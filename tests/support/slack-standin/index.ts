// Slack stand-ins for adapter and service tests.
export * from './harness.js';
export * from './requests.js';
export * from './scripted-engine.js';
export * from './service.js';
export * from './web-api.js';
