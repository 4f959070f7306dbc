/**
 * zod, extended once with `.openapi(...)` metadata. Modules whose schemas carry OpenAPI names or examples
 * import `z` from here, so the extension has run before any of them is evaluated.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
