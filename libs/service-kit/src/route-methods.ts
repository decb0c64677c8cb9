import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The methods of each route template an app has, to tell a wrong method (405) from an unknown path (404). */
class RouteMethods {
  private readonly routes = new Map<string, { pattern: RegExp; methods: Set<string> }>();

  add(methods: string | string[], template: string): void {
    let route = this.routes.get(template);
    if (route === undefined) {
      // `:name` is one path segment, `*` the rest of the path (Fastify's syntax).
      const source = template
        .split(/(:[^/]+|\*)/)
        .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : escape(part)))
        .join('');
      this.routes.set(template, (route = { pattern: new RegExp(`^${source}$`), methods: new Set() }));
    }
    for (const method of [methods].flat()) route.methods.add(method);
  }

  /** The methods some route takes at this URL's path; empty when no route has the path. */
  of(url: string): string[] {
    const [path = url] = url.split('?', 1);
    const methods = new Set<string>();
    for (const { pattern, methods: taken } of this.routes.values())
      if (pattern.test(path)) taken.forEach((method) => methods.add(method));
    return [...methods];
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const tables = new WeakMap<object, RouteMethods>();

/** Keeps the routes registered on `fastify` from now on (call it before Nest registers its routes). */
export function trackRouteMethods(fastify: FastifyInstance): void {
  const table = new RouteMethods();
  tables.set(fastify, table);
  fastify.addHook('onRoute', ({ method, url }) => table.add(method, url));
}

/** For a request no route matched: the methods its path does take, if any (the answer is then 405). */
export function allowedMethods(request: FastifyRequest): string[] {
  const methods = tables.get(request.server)?.of(request.url) ?? [];
  return methods.includes(request.method) ? [] : methods;
}
