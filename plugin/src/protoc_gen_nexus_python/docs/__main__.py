from protoc_gen_nexus_python.docs.main import main

main()
