// The annual report as a module of the server: its staff routes (/admin/v1/reports/...) and the
// console's 年度报告 page, both over the same inputs.
import type { Module } from '../module.js';
import { mountReportAdminRoutes, type ReportAdminDeps } from './admin-routes.js';

export function reportModule(deps: ReportAdminDeps): Module {
  return {
    name: 'report',
    adminRoutes: (router) => mountReportAdminRoutes(router, deps),
    consolePages: { report: deps },
  };
}
