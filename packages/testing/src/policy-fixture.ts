import { definePolicy } from '@custodian/core';

/** The policy the ledger suites run under. */
export const conformancePolicy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
  },
  permissions: { registerRecipient: ['privacy'], verifyRecipient: ['privacy'], suspendRecipient: ['privacy'], erase: ['privacy'] },
});
