from protoc_gen_nexus.ts.main import main

main()
