import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Answer } from '../http/answer.js';
import { VERSION } from '../version.js';
import { ADMIN_SCOPE } from './resource.js';

type Sdk = {
  McpServer: typeof import('@modelcontextprotocol/sdk/server/mcp.js').McpServer;
  Transport: typeof import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js').WebStandardStreamableHTTPServerTransport;
  z: typeof import('zod').z;
  /** One validator for every server: the SDK builds an Ajv instance per server otherwise, ~19% of a call. */
  validator: import('@modelcontextprotocol/sdk/validation/ajv').AjvJsonSchemaValidator;
};

let loading: Promise<Sdk> | undefined;

/** The MCP SDK, imported on the first request to /mcp: a start that never serves it pays nothing. */
function sdk(): Promise<Sdk> {
  loading ??= Promise.all([
    import('@modelcontextprotocol/sdk/server/mcp.js'),
    import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'),
    import('zod'),
    import('@modelcontextprotocol/sdk/validation/ajv'),
  ]).then(([mcp, transport, zod, ajv]) => ({
    McpServer: mcp.McpServer,
    Transport: transport.WebStandardStreamableHTTPServerTransport,
    z: zod.z,
    validator: new ajv.AjvJsonSchemaValidator(),
  }));
  return loading;
}

/** The tools: `whoami` (the token's claims), `echo`, and `admin_echo`, which needs the admin scope. */
function tools(server: McpServer, z: Sdk['z']): void {
  const text = (value: unknown) => ({
    content: [{ type: 'text' as const, text: typeof value === 'string' ? value : JSON.stringify(value) }],
  });
  server.registerTool('whoami', { description: "The access token's claims, as this server verified them" }, (extra) =>
    text(extra.authInfo?.extra?.['claims'] ?? {}),
  );
  server.registerTool(
    'echo',
    { description: 'Answers with the text it is given', inputSchema: { text: z.string() } },
    ({ text: said }) => text(said),
  );
  server.registerTool(
    'admin_echo',
    { description: `Echo, for tokens with the ${ADMIN_SCOPE} scope only`, inputSchema: { text: z.string() } },
    ({ text: said }) => text(`admin: ${said}`),
  );
}

/**
 * Answers one MCP request (Streamable HTTP, stateless, JSON answers) with the official SDK's server: a
 * new server and transport per request, as the SDK's stateless examples have it.
 */
export async function answerMcp(request: Request, body: unknown, auth: AuthInfo): Promise<Answer> {
  const { McpServer, Transport, z, validator } = await sdk();
  const server = new McpServer({ name: 'dcr-mock', version: VERSION }, { jsonSchemaValidator: validator });
  tools(server, z);
  const transport = new Transport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    const response = await transport.handleRequest(request, { parsedBody: body, authInfo: auth });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: response.status, headers, body: await response.text() };
  } finally {
    await server.close();
  }
}
