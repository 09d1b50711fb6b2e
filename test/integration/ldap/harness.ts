/** LDAP connector configs pointed at a private slapd (test/support/ldap-server.ts) with the standard directory. */
import type { LdapConnectorInput } from '../../../src/connectors/ldap/config-schema.js';
import { createLdapConnector } from '../../../src/connectors/ldap/create-ldap-connector.js';
import { FIXTURE } from '../../support/ldap-fixture.js';
import type { TestSlapd } from '../../support/ldap-server.js';
import { createLogSink } from '../../support/log-sink.js';

export function ldapConfig(slapd: TestSlapd, overrides: Partial<LdapConnectorInput> = {}): LdapConnectorInput {
  return {
    id: 'corp-ldap', type: 'ldap', displayName: 'Corp directory', preset: 'openldap',
    url: slapd.url, bindDn: FIXTURE.service.dn, bindPassword: FIXTURE.service.password,
    userBase: FIXTURE.ous.people, groups: { base: FIXTURE.baseDn }, timeoutSeconds: 5, connectTimeoutSeconds: 2,
    sync: { enabled: false },
    ...overrides,
  };
}

export function ldapConnector(slapd: TestSlapd, overrides: Partial<LdapConnectorInput> = {}) {
  const { logger, sink } = createLogSink();
  return { connector: createLdapConnector(ldapConfig(slapd, overrides), { logger }), sink };
}
