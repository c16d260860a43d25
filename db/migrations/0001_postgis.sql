create extension if not exists postgis;
