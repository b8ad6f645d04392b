/*
 * handlers.h - one function per route (routes.c): read the request's
 * params and body, make the one public call, answer.  0: answered; a
 * negative library code: the caller answers the failure (svd_fail).
 */
#ifndef SVD_HANDLERS_H
#define SVD_HANDLERS_H

struct svd_req;
#define SVD_HANDLER(name) int name(struct svd_req *r)

SVD_HANDLER(svd_h_status);
SVD_HANDLER(svd_h_unseal_offer);
SVD_HANDLER(svd_h_unseal);
SVD_HANDLER(svd_h_seal);
SVD_HANDLER(svd_h_tls_ca);
/* the pages built in (pages.c) */
SVD_HANDLER(svd_h_page_index);
SVD_HANDLER(svd_h_page_file);
SVD_HANDLER(svd_h_challenge);
SVD_HANDLER(svd_h_login);
SVD_HANDLER(svd_h_logout);
SVD_HANDLER(svd_h_sessions);
SVD_HANDLER(svd_h_session_revoke);
SVD_HANDLER(svd_h_whoami);
/* web.c */
SVD_HANDLER(svd_h_passkey_challenge);
SVD_HANDLER(svd_h_passkey_login);
SVD_HANDLER(svd_h_passkey_registration);
SVD_HANDLER(svd_h_passkey_register);
SVD_HANDLER(svd_h_passkeys);
SVD_HANDLER(svd_h_passkey_remove);
SVD_HANDLER(svd_h_passkey_link);
SVD_HANDLER(svd_h_cases);
SVD_HANDLER(svd_h_case);
SVD_HANDLER(svd_h_case_timeline);
SVD_HANDLER(svd_h_case_docs);
SVD_HANDLER(svd_h_docs);
SVD_HANDLER(svd_h_doc);
SVD_HANDLER(svd_h_doc_log);
SVD_HANDLER(svd_h_doc_content);
SVD_HANDLER(svd_h_signoff_statement);
SVD_HANDLER(svd_h_signoff);
SVD_HANDLER(svd_h_agenda);
SVD_HANDLER(svd_h_principals);
SVD_HANDLER(svd_h_principal);
SVD_HANDLER(svd_h_principal_revoke);
SVD_HANDLER(svd_h_copies);
SVD_HANDLER(svd_h_copy_history);
SVD_HANDLER(svd_h_copy_issue);
SVD_HANDLER(svd_h_copy_return);
SVD_HANDLER(svd_h_request_new);
SVD_HANDLER(svd_h_request_decide);
SVD_HANDLER(svd_h_requests);
SVD_HANDLER(svd_h_request);
SVD_HANDLER(svd_h_holds);
SVD_HANDLER(svd_h_hold_place);
SVD_HANDLER(svd_h_hold_lift);
SVD_HANDLER(svd_h_retention_plan);
SVD_HANDLER(svd_h_retention_purge);
SVD_HANDLER(svd_h_retention_confirm);
SVD_HANDLER(svd_h_retention_review);
SVD_HANDLER(svd_h_retention_propose);
SVD_HANDLER(svd_h_retention_approve);
SVD_HANDLER(svd_h_retention_refuse);
SVD_HANDLER(svd_h_retention_certificate);
SVD_HANDLER(svd_h_mirrors);
SVD_HANDLER(svd_h_mirror_add);
SVD_HANDLER(svd_h_backup);
SVD_HANDLER(svd_h_mirror_push);
SVD_HANDLER(svd_h_audit_tail);
SVD_HANDLER(svd_h_audit_show);
SVD_HANDLER(svd_h_audit_export);
SVD_HANDLER(svd_h_audit_prove);
SVD_HANDLER(svd_h_audit_pubkey);
SVD_HANDLER(svd_h_upload_begin);
SVD_HANDLER(svd_h_upload_chunk);
SVD_HANDLER(svd_h_upload_status);
SVD_HANDLER(svd_h_upload_finish);
SVD_HANDLER(svd_h_upload_abort);
SVD_HANDLER(svd_h_case_open);
SVD_HANDLER(svd_h_case_conclude);
SVD_HANDLER(svd_h_case_reopen);
SVD_HANDLER(svd_h_case_publish);
SVD_HANDLER(svd_h_ops);
SVD_HANDLER(svd_h_ops_status);
SVD_HANDLER(svd_h_requests_due);
SVD_HANDLER(svd_h_clocks);
SVD_HANDLER(svd_h_op_approve);
SVD_HANDLER(svd_h_op_refuse);
SVD_HANDLER(svd_h_principal_grant);
SVD_HANDLER(svd_h_principal_ungrant);
SVD_HANDLER(svd_h_doc_declare);
SVD_HANDLER(svd_h_referrals);
SVD_HANDLER(svd_h_referral);
SVD_HANDLER(svd_h_referral_new);
SVD_HANDLER(svd_h_intake);
SVD_HANDLER(svd_h_report_board);
SVD_HANDLER(svd_h_report_case);
SVD_HANDLER(svd_h_copy_create);
SVD_HANDLER(svd_h_copy_ack_statement);
SVD_HANDLER(svd_h_copy_acknowledge);
SVD_HANDLER(svd_h_copy_destroy);
SVD_HANDLER(svd_h_copy_lost);
SVD_HANDLER(svd_h_copy_print);
SVD_HANDLER(svd_h_copy_transfer);
SVD_HANDLER(svd_h_audit_checkpoint);
SVD_HANDLER(svd_h_doc_receipt);
SVD_HANDLER(svd_h_principal_impact);
SVD_HANDLER(svd_h_copy_witness_statement);
SVD_HANDLER(svd_h_copy_witness);
SVD_HANDLER(svd_h_copy_recall);
SVD_HANDLER(svd_h_release);
SVD_HANDLER(svd_h_case_commission);
SVD_HANDLER(svd_h_case_extend);
SVD_HANDLER(svd_h_case_evaluation);
SVD_HANDLER(svd_h_case_milestone);
SVD_HANDLER(svd_h_policy_show);
SVD_HANDLER(svd_h_policy_load);
SVD_HANDLER(svd_h_audit_prove_set);
SVD_HANDLER(svd_h_principal_enrol);
SVD_HANDLER(svd_h_referral_recommend);
SVD_HANDLER(svd_h_referral_decide);
SVD_HANDLER(svd_h_referral_notify);
SVD_HANDLER(svd_h_request_respond);
SVD_HANDLER(svd_h_request_clock);

#endif
