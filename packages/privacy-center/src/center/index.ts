export { createPrivacyCenter, type PrivacyCenter } from './create-privacy-center';
export type { PrivacyCenterOptions } from './options';
