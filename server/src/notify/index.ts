/**
 * Notifications (F5), the module's public face. Other modules call `notify()` inside their
 * transactions (item changes reach the live streams from `appendEvents`); the app registers the
 * routes and the worker starts delivery and the digest.
 */
export { type NotifyInput, type NotifyResult, notify } from './notify.ts';
export { registerNotificationRoutes } from './routes.ts';
export { startNotifications } from './worker.ts';
