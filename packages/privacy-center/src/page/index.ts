export { pageOf, type CenterPage, type CenterPurpose, type CheckpointCoverage, type PageContext } from './model';
export { renderDone, renderError, renderPage, type RenderContext } from './render';
export { renderCodeForm, type CodeFormPage } from './code-form';
