export { createPrivacyCenter, type CodeLink, type PrivacyCenter } from './create-privacy-center';
export type { PrivacyCenterOptions } from './options';
