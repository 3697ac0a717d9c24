export { countCopiedItems } from './count-copies';
