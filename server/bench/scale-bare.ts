/**
 * The bare-Fastify ceiling of the scale bench (bench/scale.ts): `fastify()` with one GET and one POST
 * returning a constant — no plugins, no auth, no database. Run as a child process; prints
 * "listening on <url>" once ready. The POST parses its JSON body with Fastify's default parser.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/ping', async () => ({ ok: true }));
app.post('/ping', async (_request, reply) => reply.code(201).send({ ok: true }));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening on ${address}\n`);
process.once('SIGTERM', () => {
  void app.close().finally(() => process.exit(0));
});
