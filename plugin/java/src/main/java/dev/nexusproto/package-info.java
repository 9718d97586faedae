/**
 * The runtime of the Java code that protoc-gen-nexus-java generates.
 *
 * <p>Generated files hold a contract's names, types and settings; the behaviour they share lives
 * here: checking messages against their buf.validate rules ({@link dev.nexusproto.Validation}),
 * wrapping a team's handler methods into Nexus operation handlers ({@link
 * dev.nexusproto.Operations}), starting the workflow of a workflow-run operation ({@link
 * dev.nexusproto.WorkflowRun}) and the options of typed callers ({@link dev.nexusproto.Calls}).
 * Errors read as those of the Python and Go runtimes, so a caller sees the same text whichever
 * language serves the contract.
 */
package dev.nexusproto;
