from protoc_gen_nexus.go.main import main

main()
