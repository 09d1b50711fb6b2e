export const MAIN_HELP = `gatehouse — identity and access gateway in front of a Mattermost-compatible chat core

Usage: gatehouse <command> [options]

Commands:
  serve                 run the gateway and chat-core in one process (the default; embedded SQLite + memory store)
  gateway               run the gateway alone (cluster mode: PostgreSQL + Redis)
  chat                  run chat-core alone (cluster mode)
  migrate               apply pending database migrations for both services, then exit
  config check          validate the configuration (file + GATEHOUSE_* environment) and print every problem
  user create           create a user:  --email E --username U --password P [--admin | --guest]
  user list             list users:     [--page N] [--per-page N]
  user deactivate       deactivate a user and end their sessions:  <username | email>
  user reset-mfa        remove a user's TOTP secret and recovery codes (a lost device):  <username | email>
  saml keygen           make an SP signing key and certificate:  [--out DIR] [--cn NAME] [--days N]
  saml metadata         print a SAML connector's SP metadata:  [connector-id]
  saml test             load a SAML connector as the server would and report what it resolved:  [connector-id]
  ldap test             connect and bind as the service account, count users and groups, map one user:  [connector-id] [--user LOGIN]
  ldap sync             sync users and groups from the directory now, with progress:  [connector-id] [--dry-run] [--full]
  ldap groups           list the directory groups the last sync stored, with members and links:  [connector-id] [--search TEXT]
  idp import            print a SAML connector built from IdP metadata:  <metadata.xml | https://…> [--id ID] [--preset P]
  import mattermost-config  map a Mattermost config.json (SamlSettings, LdapSettings, GitLab, Google, Office 365, OpenID) to connectors:  <config.json>
  keys rotate           promote the published next signing key, retire the current one:  [--force]

Global options:
  --config FILE         JSON config file (default: $GATEHOUSE_CONFIG, else ./gatehouse.json when present)
  -h, --help            show help for a command

Environment: every setting can be given as GATEHOUSE_<PATH> (see README.md, "Configuration"), e.g.
  GATEHOUSE_PORT=8065 GATEHOUSE_DATABASE_URL=postgres://… GATEHOUSE_REDIS_URL=redis://… gatehouse gateway
`;

export const COMMAND_HELP: Record<string, string> = {
  serve: 'gatehouse serve [--config FILE]\n  Runs the gateway (listen.port, default 8065) and chat-core (chat.port, default 8066) in one process.\n  Migrations are applied at start. Stop with Ctrl-C: in-flight requests are drained first.\n',
  gateway: 'gatehouse gateway [--config FILE]\n  Runs the gateway alone; point chat.url (GATEHOUSE_CHAT_URL) at chat-core. Use PostgreSQL and Redis to run several nodes.\n',
  chat: 'gatehouse chat [--config FILE]\n  Runs chat-core alone on chat.host:chat.port; it fetches the gateway JWKS from chat.jwksUrl.\n',
  migrate: 'gatehouse migrate [--config FILE]\n  Applies pending migrations to the gateway database and the chat-core database, then exits.\n',
  config: 'gatehouse config check [--config FILE]\n  Loads the configuration exactly as the server would and reports every problem at once (exit 1), or prints the effective settings with secrets hidden.\n',
  user: 'gatehouse user create --email E --username U --password P [--admin | --guest]\ngatehouse user list [--page N] [--per-page N]\ngatehouse user deactivate <username | email>\ngatehouse user reset-mfa <username | email>\n',
  saml: 'gatehouse saml keygen [--out DIR] [--cn NAME] [--days 730]\n  Writes saml-sp-key.pem (mode 0600) and saml-sp-cert.pem, a self-signed RSA key pair for signing AuthnRequests\n  and logout messages; point sp.privateKeyFile and sp.certificateFile at them.\ngatehouse saml metadata [connector-id]\n  Prints the SP metadata XML of the connector (default: the default connector) to give to the IdP.\ngatehouse saml test [connector-id]\n  Loads the connector (keys, IdP metadata) and prints where AuthnRequests go and the SP certificate expiry.\n',
  ldap: 'gatehouse ldap test [connector-id] [--user LOGIN]\n  Loads the connector as the server would, connects and binds with the service account (which server answered, whether\n  TLS protects it), and counts users under userFilter and groups under groups.filter (the first page). With --user, prints\n  what the mapping makes of that one user (DN, stable id, username, e-mail, names, disabled reason, groups with nesting\n  resolved, admin and guest) without asking for their password. Exit 1 with one line per failure.\n'
    + 'gatehouse ldap sync [connector-id] [--dry-run] [--full]\n  Runs a user and group sync now against the configured database (a running server may share it), progress on stderr.\n  The safety valve applies: a sync that would deactivate more than sync.maxDeactivatePercent changes nothing (exit 1).\n  --dry-run changes nothing and prints who would be deactivated, reactivated, created or updated, and the team and\n  channel membership changes. Between full syncs a sync reads only changed entries (sync.incremental); --full reads\n  the whole directory (after changing userFilter, say). Without chat-core, channel links are skipped with a warning.\n'
    + 'gatehouse ldap groups [connector-id] [--search TEXT]\n  Lists the directory groups stored by the last sync: name, member count, linked teams and channels, stable id, DN.\n  Without connector-id, every LDAP connector in turn.\n',
  keys: 'gatehouse keys rotate [--force]\n  The next key has been in the JWKS since the last rotation; it becomes the signing key, the current one is retired\n  (still published until its last assertion expires) and a new next key is published. Without --force, refuses when\n  the next key was published less than 5 minutes ago (verifiers may not have fetched it yet).\n',
};
