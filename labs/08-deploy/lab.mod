module labwork/08-deploy

go 1.26.8
