"""protoc-gen-nexus-java: Java code for the Java team from the same annotated contract.

parameters   the shared tag filters (Java's own packaging comes from the .proto options)
naming       every rule for a Java name: protoc-gen-java's classes and getters, ours
resolve      the language-neutral model -> the Java model, every Java name decided
writer       JavaFile: imports by simple name, string literals, Javadoc
generator    one function per part of a `<Service>Nexus.java`
plugin       request -> response, errors returned, never raised
"""
