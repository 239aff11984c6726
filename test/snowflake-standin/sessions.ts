/**
 * Logins, tokens and sessions of the Snowflake stand-in (test only):
 * `/session/v1/login-request` (password, key-pair JWT, OAuth / programmatic
 * access token), `/session/token-request` (renewal with the master token) and
 * the session-token check every other endpoint makes.
 */
import { randomBytes } from 'node:crypto';
import type { Engine, EngineSession } from './engine-types.js';
import { parameterList, type ParameterValue } from './parameters.js';
import { Codes, fail, isRecord, Messages, ok, type Envelope } from './protocol.js';

/** Seconds the tokens are said to be valid (the sdk only uses them for its keep-alive bounds). */
const SESSION_VALIDITY = 3600;
const MASTER_VALIDITY = 14_400;

export interface Session {
  id: number;
  user: string;
  token: string;
  masterToken: string;
  engine: EngineSession;
  closed: boolean;
}

export interface LoginQuery {
  databaseName?: string;
  schemaName?: string;
  warehouse?: string;
  roleName?: string;
}

export type TokenCheck = { session: Session } | { error: Envelope; status: number };

function newToken(prefix: string): string {
  return `${prefix}:${randomBytes(24).toString('base64url')}`;
}

/** The payload of a JWT (the signature is not checked: any key pair is accepted). */
function jwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    return isRecord(payload) ? payload : undefined;
  } catch {
    return undefined;
  }
}

export class SessionRegistry {
  private readonly byToken = new Map<string, Session>();
  private readonly byMaster = new Map<string, Session>();
  /** tokens of deleted sessions: answered "session gone", not "invalid token" */
  private readonly gone = new Set<string>();
  private nextId = 1_172_000_000_001;

  constructor(
    private readonly engine: Engine,
    private readonly account: string | undefined,
    private readonly users: Record<string, string> | undefined,
  ) {}

  /** Validates a login-request body as the service does; undefined when the credentials are refused. */
  private checkCredentials(data: Record<string, unknown>): Envelope | undefined {
    const loginName = typeof data.LOGIN_NAME === 'string' ? data.LOGIN_NAME : '';
    const accountName = typeof data.ACCOUNT_NAME === 'string' ? data.ACCOUNT_NAME : '';
    const authenticator = typeof data.AUTHENTICATOR === 'string' ? data.AUTHENTICATOR.toUpperCase() : 'SNOWFLAKE';
    const refused = fail(Codes.INCORRECT_USERNAME_PASSWORD, Messages.INCORRECT_USERNAME_PASSWORD, {
      nextAction: 'RETRY_LOGIN',
      authnMethod: 'USERNAME_PASSWORD',
      loginName,
      signInOptions: {},
    });
    if (accountName === '' || (this.account !== undefined && accountName.toUpperCase() !== this.account.toUpperCase())) return refused;
    const token = typeof data.TOKEN === 'string' ? data.TOKEN : '';
    switch (authenticator) {
      case 'SNOWFLAKE':
      case 'USERNAME_PASSWORD_MFA': {
        if (loginName === '' || typeof data.PASSWORD !== 'string' || data.PASSWORD === '') return refused;
        if (this.users === undefined) return undefined;
        const expected = Object.entries(this.users).find(([u]) => u.toUpperCase() === loginName.toUpperCase())?.[1];
        return expected !== undefined && expected === data.PASSWORD ? undefined : refused;
      }
      case 'SNOWFLAKE_JWT': {
        const payload = jwtPayload(token);
        const subject = `${accountName.toUpperCase()}.${loginName.toUpperCase()}`;
        const valid =
          payload !== undefined &&
          payload.sub === subject &&
          typeof payload.iss === 'string' &&
          payload.iss.startsWith(`${subject}.SHA256:`) &&
          typeof payload.exp === 'number' &&
          payload.exp > Date.now() / 1000 - 60 &&
          (this.users === undefined || Object.keys(this.users).some((u) => u.toUpperCase() === loginName.toUpperCase()));
        return valid ? undefined : fail(Codes.JWT_TOKEN_INVALID, 'JWT token is invalid.', { nextAction: 'RETRY_LOGIN', authnMethod: 'KEY_PAIR', loginName });
      }
      case 'OAUTH':
      case 'PROGRAMMATIC_ACCESS_TOKEN':
        return token !== '' ? undefined : fail(Codes.OAUTH_TOKEN_INVALID, 'Invalid OAuth access token. ', { nextAction: 'RETRY_LOGIN', authnMethod: 'OAUTH' });
      default:
        return fail(Codes.INCORRECT_USERNAME_PASSWORD, `Authenticator ${authenticator} is not supported by the stand-in.`, null);
    }
  }

  async login(body: unknown, query: LoginQuery): Promise<{ envelope: Envelope; session?: Session }> {
    if (!isRecord(body) || !isRecord(body.data)) return { envelope: fail(Codes.INTERNAL_ERROR, 'Login request is malformed: no data.') };
    const data = body.data;
    const refused = this.checkCredentials(data);
    if (refused) return { envelope: refused };
    const sessionParameters: Record<string, ParameterValue> = {};
    if (isRecord(data.SESSION_PARAMETERS)) {
      for (const [k, v] of Object.entries(data.SESSION_PARAMETERS)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') sessionParameters[k.toUpperCase()] = v;
      }
    }
    const user = typeof data.LOGIN_NAME === 'string' && data.LOGIN_NAME !== '' ? data.LOGIN_NAME : 'OAUTH_USER';
    const engine = await this.engine.openSession({
      database: query.databaseName,
      schema: query.schemaName,
      warehouse: query.warehouse,
      role: query.roleName,
      parameters: sessionParameters,
    });
    const session: Session = { id: this.nextId++, user, token: newToken('ver:1-hint:1-ETMsDgAAA'), masterToken: newToken('ver:1-hint:1-ETMsDgAAAM'), engine, closed: false };
    this.byToken.set(session.token, session);
    this.byMaster.set(session.masterToken, session);
    const ctx = engine.context;
    return {
      session,
      envelope: ok({
        masterToken: session.masterToken,
        token: session.token,
        validityInSeconds: SESSION_VALIDITY,
        masterValidityInSeconds: MASTER_VALIDITY,
        displayUserName: user.toUpperCase(),
        serverVersion: '9.0.0',
        firstLogin: false,
        remMeToken: null,
        remMeValidityInSeconds: 0,
        healthCheckInterval: 45,
        newClientForUpgrade: null,
        sessionId: session.id,
        parameters: parameterList(ctx.parameters),
        sessionInfo: {
          databaseName: ctx.database ?? null,
          schemaName: ctx.schema ?? null,
          warehouseName: ctx.warehouse ?? null,
          roleName: ctx.role ?? null,
        },
        idToken: null,
        idTokenValidityInSeconds: 0,
        responseData: null,
        mfaToken: null,
        mfaTokenValidityInSeconds: 0,
      }),
    };
  }

  /** The session a session token belongs to, or the error the service answers. */
  check(token: string | undefined): TokenCheck {
    const session = token === undefined ? undefined : this.byToken.get(token);
    if (session && !session.closed) return { session };
    if (token !== undefined && this.gone.has(token)) return { status: 200, error: fail(Codes.GONE_SESSION, Messages.GONE_SESSION) };
    return { status: 401, error: fail(Codes.SESSION_TOKEN_INVALID, Messages.SESSION_TOKEN_INVALID) };
  }

  /** `/session/token-request` { requestType: 'RENEW', oldSessionToken } with the master token. */
  renew(masterToken: string | undefined, body: unknown): Envelope {
    const session = masterToken === undefined ? undefined : this.byMaster.get(masterToken);
    if (!session || session.closed) return fail(Codes.MASTER_TOKEN_INVALID, 'Master token is invalid.');
    if (!isRecord(body) || body.requestType !== 'RENEW') return fail(Codes.INTERNAL_ERROR, 'Token request is malformed: requestType must be RENEW.');
    if (body.oldSessionToken !== session.token) return fail(Codes.SESSION_TOKEN_INVALID, Messages.SESSION_TOKEN_INVALID);
    this.byToken.delete(session.token);
    session.token = newToken('ver:1-hint:1-ETMsDgAAA');
    this.byToken.set(session.token, session);
    return ok({
      sessionToken: session.token,
      validityInSecondsST: SESSION_VALIDITY,
      masterToken: session.masterToken,
      validityInSecondsMT: MASTER_VALIDITY,
      sessionId: session.id,
    });
  }

  /** Forgets a session's tokens (its token is answered "gone" from now on). */
  forget(session: Session): void {
    session.closed = true;
    this.byToken.delete(session.token);
    this.byMaster.delete(session.masterToken);
    this.gone.add(session.token);
  }

  all(): Session[] {
    return [...new Set(this.byToken.values())];
  }
}
