import { runLedgerConformance } from '@custodian/testing';
import { InMemoryEventStore } from '../store';

runLedgerConformance('InMemoryEventStore', () => new InMemoryEventStore());
