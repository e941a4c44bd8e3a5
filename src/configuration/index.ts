export { planConfiguration } from './planConfiguration.js';
export { configurationOf } from './configurationOf.js';
export { DesiredConfiguration } from './desired.js';
