from protoc_gen_nexus.docs.main import main

main()
