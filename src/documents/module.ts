// The formal documents of a request as a module of the server: the clerk's printable copies
// (/admin/v1/applications/:id/documents) and the applicant's letters behind signed links (/letters).
import type { Module } from '../module.js';
import { mountDocumentRoutes, type DocumentRoutesDeps } from '../admin/document-routes.js';
import type { ApplicantLinks } from './applicant-links.js';
import { createLetterRouter, type ApplicantDocuments } from './applicant-routes.js';

export interface DocumentsModuleDeps extends DocumentRoutesDeps {
  /** The applicant's copies, shared with the chat, the mini-program API and the notifications. */
  applicantDocuments: ApplicantDocuments;
  links: ApplicantLinks;
}

export function documentsModule(deps: DocumentsModuleDeps): Module {
  return {
    name: 'documents',
    adminRoutes: mountDocumentRoutes(deps),
    routers: [createLetterRouter(deps.applicantDocuments, { applications: deps.applications, links: deps.links })],
  };
}
