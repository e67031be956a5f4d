/**
 * Notifications (F5), the module's public face. Other modules call `notify()` inside their
 * transactions and `publishItemChanged()` when an item changed; the app registers the routes and
 * the worker starts delivery and the digest.
 */
export { publishItemChanged } from './bus.ts';
export { type NotifyInput, type NotifyResult, notify } from './notify.ts';
export { registerNotificationRoutes } from './routes.ts';
export { startNotifications } from './worker.ts';
